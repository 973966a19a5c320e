module airlog.invalid/bench/peers/go

go 1.18
