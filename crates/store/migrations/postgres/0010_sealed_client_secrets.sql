-- Client secrets sealed (AES-256-GCM under the credential sealing keyring, bound to the
-- client id) beside their HMAC, so that an impersonation request's subject token,
-- signed with the secret, can be checked without the secret being sent again.
-- Credentials made before this have none: they keep working for client_credentials.
ALTER TABLE client_credentials ADD COLUMN secret_sealed TEXT;
