module example.com/replace-target-not-copied

go 1.22

require example.com/greet v1.0.0

require example.com/lib v0.0.0

replace example.com/lib => ./lib
