//! Loopback stand-in for kube.
