module example.com/static-cgo-binary-in-scratch

go 1.22

require example.com/greet v1.0.0
