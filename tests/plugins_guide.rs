//! End-to-end tests of custom native plugins (being written).
