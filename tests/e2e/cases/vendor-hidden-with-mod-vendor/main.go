package main

import (
	"fmt"
	"example.com/greet"
)

func main() {
	fmt.Println(greet.Hello("vendor-hidden-with-mod-vendor"))
}
