terraform {
  required_providers {
    genesyscloud = {
      source  = "mypurecloud/genesyscloud"
      version = ">= 1.63.0"
    }
  }
}

resource "genesyscloud_oauth_client" "app" {
  name                     = "App"
  authorized_grant_type    = "CODE"
  registered_redirect_uris = ["https://app.example.com/callback"]
  scopes                   = ["users:readonly"]
}

output "client_id" {
  value = genesyscloud_oauth_client.app.client_id
}
