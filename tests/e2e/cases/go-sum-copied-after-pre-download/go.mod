module example.com/go-sum-copied-after-pre-download

go 1.22

require example.com/greet v1.0.0
