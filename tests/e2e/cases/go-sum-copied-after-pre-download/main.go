package main

import (
	"fmt"
	"example.com/greet"
)

func main() {
	fmt.Println(greet.Hello("go-sum-copied-after-pre-download"))
}
