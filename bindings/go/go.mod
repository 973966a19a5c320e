module github.com/airlog/airlog/bindings/go

go 1.19
