package main

import (
	"fmt"

	"example.com/greet"
	"example.com/lib"
)

func main() { fmt.Println(greet.Hello(lib.Name())) }
