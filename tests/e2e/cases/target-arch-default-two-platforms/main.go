package main

import (
	"fmt"
	"example.com/greet"
)

func main() {
	fmt.Println(greet.Hello("target-arch-default-two-platforms"))
}
