package main

import (
	"fmt"
	"example.com/greet"
	"net"
)

func main() {
	fmt.Println(greet.Hello("cgo-binary-in-alpine"))
	_ = net.ParseIP("127.0.0.1")
}
