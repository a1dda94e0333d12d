//! The audit log's hash chain: every event carries the hash of the one committed before it, so changing,
//! removing or inserting an event anywhere breaks the chain from there on, and a signed tip (a
//! checkpoint) lets anyone prove later that the history before it was not rewritten.
//!
//! # The canonical encoding
//!
//! An event's hash is SHA-256 over these bytes, in this order:
//!
//! 1. the domain separator `tenantry-audit-chain-v1` (23 ASCII bytes, no length);
//! 2. the previous event's hash: 32 bytes (32 zero bytes, [`ChainHash::GENESIS`], for the first event);
//! 3. the event's position in the chain (`seq`, 1 for the first event): 8 bytes, big-endian;
//! 4. the event's columns as stored, in the table's order: `id`, `time` (unix seconds, 8 bytes
//!    big-endian two's complement), `actor`, `actor_key`, `actor_id`?, `tenant_id`?, `subscription_id`?,
//!    `operation`, `target`, `details`.
//!
//! A text is its UTF-8 byte length (4 bytes, big-endian) then its bytes, exactly as stored: ids as
//! lowercase hyphenated GUIDs, `details` as the JSON text written (the stored bytes, never re-encoded,
//! so both databases hash the same). An optional text (`?`) is one byte 0 when absent, or one byte 1
//! followed by the text. Hashes are stored and shown as 64 lowercase hex digits.
//!
//! The chain follows commit order across instances: the writer reads the tip (count and hash, kept on
//! the revision row) while holding the revision row's lock, which every writer takes first.

/// A SHA-256 hash of the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChainHash(pub [u8; 32]);

impl ChainHash {
    /// What the first event follows.
    pub const GENESIS: ChainHash = ChainHash([0; 32]);

    /// 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push(char::from(DIGITS[usize::from(b >> 4)]));
            s.push(char::from(DIGITS[usize::from(b & 0xf)]));
        }
        s
    }

    /// The hash [`ChainHash::to_hex`] wrote (either case), or `None`.
    pub fn parse_hex(text: &str) -> Option<ChainHash> {
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks(2).enumerate() {
            let digit = |c: u8| char::from(c).to_digit(16);
            out[i] = u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()?;
        }
        Some(ChainHash(out))
    }
}

impl std::fmt::Display for ChainHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// An audit event's columns as stored: what its hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: String,
    pub time: i64,
    pub actor: String,
    pub actor_key: String,
    pub actor_id: Option<String>,
    pub tenant_id: Option<String>,
    pub subscription_id: Option<String>,
    pub operation: String,
    pub target: String,
    /// The JSON text as written.
    pub details: String,
}

const SEPARATOR: &[u8] = b"tenantry-audit-chain-v1";

fn text(out: &mut Vec<u8>, s: &str) {
    // A column longer than 4 GiB cannot be stored; the length saturates rather than wraps.
    let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn optional(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            text(out, s);
        }
    }
}

impl AuditRecord {
    /// The canonical encoding (module docs) of this event at position `seq` after `prev`.
    pub fn encode(&self, prev: &ChainHash, seq: i64) -> Vec<u8> {
        let mut out = Vec::with_capacity(160 + self.details.len() + self.target.len());
        out.extend_from_slice(SEPARATOR);
        out.extend_from_slice(&prev.0);
        out.extend_from_slice(&seq.to_be_bytes());
        text(&mut out, &self.id);
        out.extend_from_slice(&self.time.to_be_bytes());
        text(&mut out, &self.actor);
        text(&mut out, &self.actor_key);
        optional(&mut out, self.actor_id.as_deref());
        optional(&mut out, self.tenant_id.as_deref());
        optional(&mut out, self.subscription_id.as_deref());
        text(&mut out, &self.operation);
        text(&mut out, &self.target);
        text(&mut out, &self.details);
        out
    }

    /// This event's hash at position `seq` after `prev`.
    pub fn hash(&self, prev: &ChainHash, seq: i64) -> ChainHash {
        let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &self.encode(prev, seq));
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        ChainHash(out)
    }
}

/// Where the chain stands: how many events it holds and the last one's hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainTip {
    pub count: i64,
    pub hash: ChainHash,
}

impl ChainTip {
    pub const EMPTY: ChainTip = ChainTip {
        count: 0,
        hash: ChainHash::GENESIS,
    };

    /// The tip after appending `record`, and the position and previous hash `record` is written with.
    pub fn append(&mut self, record: &AuditRecord) -> (i64, ChainHash, ChainHash) {
        let seq = self.count + 1;
        let prev = self.hash;
        let hash = record.hash(&prev, seq);
        *self = ChainTip { count: seq, hash };
        (seq, prev, hash)
    }
}

/// An event as read back for verification: its stored link fields (text, as stored, so a mangled
/// value is reported rather than refused) and its columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLink {
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
    pub record: AuditRecord,
}

/// Which event, for messages: its id, time and place in the chain (0: none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRef {
    pub id: String,
    pub time: i64,
    pub seq: i64,
}

impl std::fmt::Display for EventRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let time = crate::timestamps::format_timestamp(self.time);
        match self.seq {
            0 => write!(f, "event {} ({time}, with no place in the chain)", self.id),
            seq => write!(f, "event {} (#{seq}, {time})", self.id),
        }
    }
}

/// The first place the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The event's columns do not give its stored hash.
    Changed(EventRef),
    /// The event does not follow the one before it: that one (or, for the first, this one) was changed
    /// (its hash rewritten too) or inserted.
    Unlinked {
        event: EventRef,
        before: Option<EventRef>,
    },
    /// Positions are missing between two events.
    Removed {
        from: i64,
        to: i64,
        after: Option<EventRef>,
        before: EventRef,
    },
    /// The chain ends before the tip recorded on the revision row.
    TailRemoved {
        recorded: i64,
        last: Option<EventRef>,
    },
    /// An event after the recorded tip, or outside the chain (no position).
    Inserted(EventRef),
    /// The last event is sound alone, but the tip the writers recorded names another hash: it was
    /// replaced (its hash recomputed) after it was written.
    TipReplaced(EventRef),
    /// The chain's hash at the checkpoint's count is not the checkpoint's.
    Rewritten {
        count: i64,
        expected: ChainHash,
        found: ChainHash,
    },
    /// The chain is shorter than the checkpoint.
    ShorterThanCheckpoint { count: i64, checkpoint: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Changed(e) => write!(
                f,
                "{e} was changed or inserted: its content does not match its hash"
            ),
            ChainBreak::Unlinked {
                event,
                before: Some(b),
            } => write!(
                f,
                "{b} was changed or inserted: {event}, which follows it, was chained to another event"
            ),
            ChainBreak::Unlinked {
                event,
                before: None,
            } => write!(
                f,
                "{event} does not start the chain: events before it were removed, or it was changed"
            ),
            ChainBreak::Removed {
                from,
                to,
                after,
                before,
            } => {
                let which = match from == to {
                    true => format!("event #{from} was removed"),
                    false => format!("events #{from} to #{to} were removed"),
                };
                match after {
                    Some(a) => write!(f, "{which}: between {a} and {before}"),
                    None => write!(f, "{which}: before {before}"),
                }
            }
            ChainBreak::TailRemoved { recorded, last } => match last {
                Some(l) => write!(
                    f,
                    "the last events were removed: the chain records {recorded} events but ends at {l}"
                ),
                None => write!(
                    f,
                    "every event was removed: the chain records {recorded} events"
                ),
            },
            ChainBreak::Inserted(e) => write!(f, "{e} was inserted outside the chain"),
            ChainBreak::TipReplaced(e) => write!(
                f,
                "{e} was changed or replaced: the tip recorded by the writers has another hash"
            ),
            ChainBreak::Rewritten {
                count,
                expected,
                found,
            } => write!(
                f,
                "history before the checkpoint was rewritten: after {count} events the chain's hash is {found}, the checkpoint's {expected}"
            ),
            ChainBreak::ShorterThanCheckpoint { count, checkpoint } => write!(
                f,
                "events were removed: the chain holds {count} events, the checkpoint {checkpoint}"
            ),
        }
    }
}

/// A walk along the chain, oldest first, one event at a time (the events come in pages).
#[derive(Debug, Clone)]
pub struct ChainWalk {
    tip: ChainTip,
    last: Option<EventRef>,
    /// A checkpoint to pass: its count and hash.
    checkpoint: Option<ChainTip>,
}

impl ChainWalk {
    pub fn new(checkpoint: Option<ChainTip>) -> Self {
        Self {
            tip: ChainTip::EMPTY,
            last: None,
            checkpoint,
        }
    }

    /// Where the walk stands: events checked and the last one's hash.
    pub fn tip(&self) -> ChainTip {
        self.tip
    }

    /// The last event checked.
    pub fn last(&self) -> Option<&EventRef> {
        self.last.as_ref()
    }

    /// Checks the next event in position order.
    pub fn step(&mut self, link: &StoredLink) -> Result<(), ChainBreak> {
        let event = EventRef {
            id: link.record.id.clone(),
            time: link.record.time,
            seq: link.seq,
        };
        // First the event alone: its columns, position and stored predecessor must give its hash.
        let own_prev = ChainHash::parse_hex(&link.prev_hash);
        let Some(hash) = own_prev
            .map(|p| link.record.hash(&p, link.seq))
            .filter(|h| Some(*h) == ChainHash::parse_hex(&link.hash))
        else {
            return Err(ChainBreak::Changed(event));
        };
        let expected = self.tip.count + 1;
        if link.seq != expected {
            return Err(ChainBreak::Removed {
                from: expected,
                to: link.seq - 1,
                after: self.last.clone(),
                before: event,
            });
        }
        // Sound alone but written after another predecessor: the one before it is not the original.
        if own_prev != Some(self.tip.hash) {
            return Err(ChainBreak::Unlinked {
                event,
                before: self.last.clone(),
            });
        }
        self.tip = ChainTip {
            count: link.seq,
            hash,
        };
        self.last = Some(event);
        self.check_checkpoint()
    }

    fn check_checkpoint(&self) -> Result<(), ChainBreak> {
        match self.checkpoint {
            Some(c) if c.count == self.tip.count && c.hash != self.tip.hash => {
                Err(ChainBreak::Rewritten {
                    count: c.count,
                    expected: c.hash,
                    found: self.tip.hash,
                })
            }
            _ => Ok(()),
        }
    }

    /// Ends the walk against the tip recorded on the revision row (read after the last page).
    pub fn finish(&self, recorded: ChainTip) -> Result<ChainTip, ChainBreak> {
        if recorded.count > self.tip.count {
            return Err(ChainBreak::TailRemoved {
                recorded: recorded.count,
                last: self.last.clone(),
            });
        }
        if recorded.count == self.tip.count && recorded.hash != self.tip.hash {
            // The last event was rewritten with a valid hash, and the recorded tip still names the old.
            return Err(match &self.last {
                Some(l) => ChainBreak::TipReplaced(l.clone()),
                None => ChainBreak::TailRemoved {
                    recorded: recorded.count,
                    last: None,
                },
            });
        }
        if let Some(c) = self.checkpoint
            && c.count > self.tip.count
        {
            return Err(ChainBreak::ShorterThanCheckpoint {
                count: self.tip.count,
                checkpoint: c.count,
            });
        }
        if let Some(c) = self.checkpoint
            && c.count == 0
            && c.hash != ChainHash::GENESIS
        {
            return Err(ChainBreak::Rewritten {
                count: 0,
                expected: c.hash,
                found: ChainHash::GENESIS,
            });
        }
        Ok(self.tip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: i64) -> AuditRecord {
        AuditRecord {
            id: format!("0193-{n}"),
            time: 1_800_000_000 + n,
            actor: "Alice@Outlook.com".into(),
            actor_key: "alice@outlook.com".into(),
            actor_id: None,
            tenant_id: Some("t".into()),
            subscription_id: None,
            operation: "Microsoft.Authorization/roleAssignments/write".into(),
            target: "/subscriptions/s".into(),
            details: "{\"role\":\"Owner\"}".into(),
        }
    }

    fn chain(n: i64) -> Vec<StoredLink> {
        let mut tip = ChainTip::EMPTY;
        (1..=n)
            .map(|i| {
                let r = record(i);
                let (seq, prev, hash) = tip.append(&r);
                StoredLink {
                    seq,
                    prev_hash: prev.to_hex(),
                    hash: hash.to_hex(),
                    record: r,
                }
            })
            .collect()
    }

    fn walk(links: &[StoredLink], recorded: ChainTip) -> Result<ChainTip, ChainBreak> {
        let mut w = ChainWalk::new(None);
        for l in links {
            w.step(l)?;
        }
        w.finish(recorded)
    }

    #[test]
    fn hex_round_trips() {
        let h = record(1).hash(&ChainHash::GENESIS, 1);
        assert_eq!(ChainHash::parse_hex(&h.to_hex()), Some(h));
        assert_eq!(ChainHash::parse_hex(&h.to_hex().to_uppercase()), Some(h));
        assert_eq!(ChainHash::parse_hex("00"), None);
        assert_eq!(ChainHash::parse_hex(&"g".repeat(64)), None);
    }

    /// The encoding is fixed: this hash (computed apart from this code, with Python's hashlib over the
    /// bytes the module docs describe) must never change, or every stored chain breaks.
    #[test]
    fn the_encoding_is_stable() {
        assert_eq!(
            record(1).hash(&ChainHash::GENESIS, 1).to_hex(),
            "7c532a28a14d655cefa97e074bbabb4298e1e0808d43d61a365cc09dbe17a1cb"
        );
    }

    #[test]
    fn a_sound_chain_verifies() {
        let links = chain(5);
        let tip = ChainTip {
            count: 5,
            hash: ChainHash::parse_hex(&links[4].hash).unwrap(),
        };
        assert_eq!(walk(&links, tip), Ok(tip));
        assert_eq!(walk(&[], ChainTip::EMPTY), Ok(ChainTip::EMPTY));
    }

    #[test]
    fn each_kind_of_tampering_names_the_event() {
        let links = chain(5);
        let tip = ChainTip {
            count: 5,
            hash: ChainHash::parse_hex(&links[4].hash).unwrap(),
        };
        // Changed in place.
        let mut changed = links.clone();
        changed[2].record.target = "/subscriptions/other".into();
        assert!(matches!(walk(&changed, tip), Err(ChainBreak::Changed(e)) if e.seq == 3));
        // Changed, its hash recomputed: the next one names it.
        let mut rehashed = links.clone();
        rehashed[2].record.target = "/subscriptions/other".into();
        rehashed[2].hash = rehashed[2]
            .record
            .hash(&ChainHash::parse_hex(&rehashed[2].prev_hash).unwrap(), 3)
            .to_hex();
        let e = walk(&rehashed, tip).unwrap_err();
        assert!(
            matches!(&e, ChainBreak::Unlinked { before: Some(b), .. } if b.seq == 3),
            "{e}"
        );
        // Removed in the middle.
        let mut removed = links.clone();
        removed.remove(1);
        assert!(matches!(
            walk(&removed, tip),
            Err(ChainBreak::Removed { from: 2, to: 2, .. })
        ));
        // Removed at the end.
        assert!(matches!(
            walk(&links[..4], tip),
            Err(ChainBreak::TailRemoved { recorded: 5, .. })
        ));
        // The last one replaced, its hash recomputed: the recorded tip names it.
        let mut replaced = links.clone();
        replaced[4].record.target = "/subscriptions/other".into();
        replaced[4].hash = replaced[4]
            .record
            .hash(&ChainHash::parse_hex(&replaced[4].prev_hash).unwrap(), 5)
            .to_hex();
        assert!(matches!(walk(&replaced, tip), Err(ChainBreak::TipReplaced(e)) if e.seq == 5));
        // A checkpoint the chain does not pass through.
        let mut w = ChainWalk::new(Some(ChainTip {
            count: 2,
            hash: ChainHash::GENESIS,
        }));
        w.step(&links[0]).unwrap();
        assert!(matches!(
            w.step(&links[1]),
            Err(ChainBreak::Rewritten { count: 2, .. })
        ));
        let w = ChainWalk::new(Some(tip));
        assert!(matches!(
            w.finish(ChainTip::EMPTY),
            Err(ChainBreak::ShorterThanCheckpoint { .. })
        ));
    }
}
