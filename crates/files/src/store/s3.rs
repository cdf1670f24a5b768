//! Objects in an S3 bucket through aws-sdk-s3, with credentials and endpoint taken from
//! settings only, so MinIO, Ceph, moto and the like work as well as AWS.

use std::fmt;
use std::time::{Duration, SystemTime};

use super::Listed;

use anyhow::Context as _;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use bytes::Bytes;

#[derive(Clone)]
pub struct S3Settings {
    /// Unset for AWS itself; the URL of the service for S3-compatible stores.
    pub endpoint: Option<String>,
    pub region: String,
    pub bucket: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Most S3-compatible stores want `https://host/bucket/key` rather than bucket subdomains.
    pub path_style: bool,
    /// The most one call may take, retries included: a store that accepts connections but never
    /// answers fails the caller within this instead of holding it.
    pub timeout: Duration,
}

/// The default of [`S3Settings::timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(8);

impl fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("bucket", &self.bucket)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"[redacted]")
            .field("path_style", &self.path_style)
            .field("timeout", &self.timeout)
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct S3Store {
    client: Client,
    bucket: String,
    region: String,
}

impl S3Store {
    pub fn new(settings: S3Settings) -> Self {
        let credentials = Credentials::new(
            settings.access_key_id,
            settings.secret_access_key,
            None,
            None,
            "eservice-settings",
        );
        let total = settings.timeout.max(Duration::from_secs(1));
        // No byte for a while within an attempt ends it; the whole call, retries included, ends at
        // `total`.
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(3).min(total))
            .read_timeout(Duration::from_secs(4).min(total))
            .operation_timeout(total)
            .build();
        let mut config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(settings.region.clone()))
            .credentials_provider(credentials)
            .force_path_style(settings.path_style)
            .timeout_config(timeouts)
            // Newer SDKs add CRC checksums that several S3-compatible stores reject.
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
        if let Some(endpoint) = settings.endpoint {
            config = config.endpoint_url(endpoint);
        }
        S3Store {
            client: Client::from_conf(config.build()),
            bucket: settings.bucket,
            region: settings.region,
        }
    }

    /// Creates the bucket when it does not exist yet; for development and tests, where nobody
    /// provisioned it beforehand.
    pub async fn ensure_bucket(&self) -> anyhow::Result<()> {
        if self
            .client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .is_ok()
        {
            return Ok(());
        }
        let mut create = self.client.create_bucket().bucket(&self.bucket);
        // us-east-1 is the one region that must not be named as a location constraint.
        if self.region != "us-east-1" {
            let location = CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(self.region.as_str()))
                .build();
            create = create.create_bucket_configuration(location);
        }
        match create.send().await {
            Ok(_) => Ok(()),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_bucket_already_owned_by_you()) =>
            {
                Ok(())
            }
            Err(error) => Err(error).with_context(|| format!("creating bucket {}", self.bucket)),
        }
    }

    pub(super) async fn put(
        &self,
        key: &str,
        bytes: Bytes,
        content_type: &str,
    ) -> anyhow::Result<()> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .with_context(|| format!("uploading {key} to bucket {}", self.bucket))?;
        Ok(())
    }

    pub(super) async fn get(&self, key: &str) -> anyhow::Result<Option<Bytes>> {
        let output = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(output) => output,
            Err(error) if error.as_service_error().is_some_and(|e| e.is_no_such_key()) => {
                return Ok(None);
            }
            Err(error) => {
                return Err(error)
                    .with_context(|| format!("fetching {key} from bucket {}", self.bucket));
            }
        };
        let body = output
            .body
            .collect()
            .await
            .with_context(|| format!("reading {key} from bucket {}", self.bucket))?;
        Ok(Some(body.into_bytes()))
    }

    pub(super) async fn delete(&self, key: &str) -> anyhow::Result<()> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .with_context(|| format!("deleting {key} from bucket {}", self.bucket))?;
        Ok(())
    }

    /// One page of the bucket's objects after `token`, and the token of the next page if any.
    pub(super) async fn list_page(
        &self,
        token: Option<String>,
        batch: usize,
    ) -> anyhow::Result<(Vec<Listed>, Option<String>)> {
        let page = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .max_keys(i32::try_from(batch).unwrap_or(1000))
            .set_continuation_token(token)
            .send()
            .await
            .with_context(|| format!("listing bucket {}", self.bucket))?;
        let listed = page
            .contents()
            .iter()
            .filter_map(|object| {
                let key = object.key()?.to_owned();
                let modified = object.last_modified().and_then(|t| SystemTime::try_from(*t).ok())?;
                Some(Listed { key, modified, temporary: false })
            })
            .collect();
        let next = page
            .is_truncated()
            .unwrap_or(false)
            .then(|| page.next_continuation_token().map(str::to_owned))
            .flatten();
        Ok((listed, next))
    }

    pub(super) async fn exists(&self, key: &str) -> anyhow::Result<bool> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(false),
            Err(error) => {
                Err(error).with_context(|| format!("looking for {key} in bucket {}", self.bucket))
            }
        }
    }
}
