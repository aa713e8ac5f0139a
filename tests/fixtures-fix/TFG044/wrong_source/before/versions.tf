# Provider requirements (kept as the team wrote them).
terraform {
  required_providers {
    genesyscloud = {
      source  = "mikeschaeffer/genesyscloud" # copied from a tutorial
      version = "~> 1.84"
    }
    vault = {
      source  = "hashicorp/vault"
      version = ">= 5.0.0"
    }
  }
}
