module github.com/airlog/airlog/tools/serve

go 1.25

require (
	github.com/airlog/airlog/bindings/go v0.0.0-00010101000000-000000000000
	github.com/golang/snappy v1.0.0
	google.golang.org/protobuf v1.36.12
)

require github.com/klauspost/compress v1.20.5

replace github.com/airlog/airlog/bindings/go => ../../bindings/go
