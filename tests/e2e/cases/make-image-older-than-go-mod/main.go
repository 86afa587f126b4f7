package main

import (
	"fmt"
	"example.com/greet"
)

func main() {
	fmt.Println(greet.Hello("make-image-older-than-go-mod"))
}
