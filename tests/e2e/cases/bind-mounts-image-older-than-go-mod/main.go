package main

import (
	"fmt"
	"example.com/greet"
)

func main() {
	fmt.Println(greet.Hello("bind-mounts-image-older-than-go-mod"))
}
