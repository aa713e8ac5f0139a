output "genesys_integration_id" {
  value = genesyscloud_integration.LambdaDataIntegration.id
}
