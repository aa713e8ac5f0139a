resource "random_password" "admin" {
  length = 24
}

output "admin_password" {
  value     = random_password.admin.result
  sensitive = true
}
