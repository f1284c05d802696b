//! vpce-reach model.
