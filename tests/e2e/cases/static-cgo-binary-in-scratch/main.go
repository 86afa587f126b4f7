package main

import (
	"fmt"
	"example.com/greet"
	"net"
)

func main() {
	fmt.Println(greet.Hello("static-cgo-binary-in-scratch"))
	_ = net.ParseIP("127.0.0.1")
}
