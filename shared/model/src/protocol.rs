//! IP protocol matching. Every connection vpce-reach checks is TCP (AWS service endpoints
//! listen on TCP 443 or the ports `ServicePorts` names), so the one question a rule's protocol
//! field has to answer is "does this rule apply to TCP?".

/// True when a security group `IpProtocol` or NACL `Protocol` value covers TCP:
/// `tcp`, `6`, or `-1`/`all` (every protocol).
pub(crate) fn covers_tcp(protocol: &str) -> bool {
    // Every rule of every group passes here: ASCII trimming and byte comparison, no
    // Unicode-aware `trim`.
    let protocol = protocol.as_bytes().trim_ascii();
    ["tcp", "6", "-1", "all"]
        .iter()
        .any(|p| protocol.eq_ignore_ascii_case(p.as_bytes()))
}

/// True when the value means every protocol (and so every port).
pub(crate) fn is_all(protocol: &str) -> bool {
    matches!(protocol.as_bytes().trim_ascii(), b"-1" | b"all")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_forms() {
        for p in ["tcp", "TCP", "6", "-1", "all"] {
            assert!(covers_tcp(p), "{p}");
        }
        for p in ["udp", "17", "icmp", "1", "58", ""] {
            assert!(!covers_tcp(p), "{p}");
        }
    }
}
