//! Citizens' files: content sniffing, the ID-photo and avatar pipeline, and object storage
//! (a local folder or any S3-compatible bucket) under tenant-prefixed keys.

pub mod image;
pub mod sniff;
pub mod store;

pub use crate::image::{
    ImageError, ImageLimits, ProcessedImage, Watermark, process_avatar, process_checked_id_photo, process_evidence,
    process_id_photo, process_logo, process_picture, process_picture_within, process_svg_logo, stamp_sample_card, svg_hazard,
};
pub use crate::sniff::{Sniffed, sniff};
pub use crate::store::{Listed, Listing, LocalStore, ObjectStore, S3_DEFAULT_TIMEOUT, S3Settings, S3Store, object_key, sha256_hex};
