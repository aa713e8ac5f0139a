output "integration_id" {
    value = genesyscloud_integration.integration.id
}

output "integration_name" {
    value = var.integration_name
}