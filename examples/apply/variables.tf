variable "token_validity_seconds" {
  description = "Lifetime of access tokens issued to the reporting client"
  type        = number
  default     = 3600
}

variable "reporting_role_id" {
  description = "Role granted to the reporting client (an existing role id)"
  type        = string
  default     = "5e2d6b4a-3f0e-4a8c-9a51-1c7f3e2b9d10"
}

variable "home_division_id" {
  description = "Division the role applies in"
  type        = string
  default     = "2b7c1e90-6d4f-4f0a-8e3b-9a6d5c4b3a21"
}
