group "default" { targets = ["app"] }
target "app" {
  context = "."
  platforms = ["linux/amd64", "linux/arm64"]
}
