module example.com/module-cache-copied-from-stage

go 1.22

require example.com/greet v1.0.0
