resource "genesyscloud_oauth_client" "service" {
  name                  = "Service"
  authorized_grant_type = "CLIENT-CREDENTIALS"
  role_ids              = ["00000000-0000-0000-0000-000000000001"]
}
