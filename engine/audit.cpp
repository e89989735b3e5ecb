#include "ocop/audit.hpp"

#include <atomic>
#include <algorithm>
#include <charconv>
#include <cstring>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

namespace ocop {

namespace {
// A JSON string exactly as nlohmann::json::dump() writes it (UTF-8 kept, control characters
// and the two specials escaped), without building a json value.
void append_json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  // Runs of characters that need no escape are appended at once (most texts are one run).
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}
}  // namespace

namespace {
// format_instant(t, 0) ("YYYY-MM-DDTHH:MM:SSZ") written into out[0..19] without allocating;
// false (nothing written) outside the years 1000 - 9999, where the caller formats as before.
bool format_utc_into(Instant t, char* out) {
  std::int64_t days = t.seconds / 86400, secs = t.seconds % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  int y = 0;
  unsigned m = 0, d = 0;
  civil(Date{static_cast<std::int32_t>(days)}, y, m, d);
  if (y < 1000 || y > 9999) return false;
  auto two = [&](int at, unsigned v) {
    out[at] = static_cast<char>('0' + v / 10);
    out[at + 1] = static_cast<char>('0' + v % 10);
  };
  two(0, static_cast<unsigned>(y / 100));
  two(2, static_cast<unsigned>(y % 100));
  out[4] = '-';
  two(5, m);
  out[7] = '-';
  two(8, d);
  out[10] = 'T';
  two(11, static_cast<unsigned>(secs / 3600));
  out[13] = ':';
  two(14, static_cast<unsigned>(secs / 60 % 60));
  out[16] = ':';
  two(17, static_cast<unsigned>(secs % 60));
  out[19] = 'Z';
  return true;
}

// canonical(record) up to its data, "[seq,at,actor,role,dossier,event,from,to,level,", into
// `out` (cleared first; its buffer is reused), with `at` already in canonical form.
void canonical_head_into(const AuditRecord& r, std::string_view at, std::string& out) {
  out.clear();
  out += '[';
  char num[24];
  auto [end, ec] = std::to_chars(num, num + sizeof num, r.seq);
  out.append(num, static_cast<std::size_t>(end - num));
  out += ',';
  append_json_string(out, at);
  for (const std::string* f :
       {&r.actor, &r.role, &r.dossier, &r.event, &r.from_state, &r.to_state, &r.level}) {
    out += ',';
    append_json_string(out, *f);
  }
  out += ',';
}

std::string canonical_head(const AuditRecord& r) {
  std::string out;
  out.reserve(256);
  canonical_head_into(r, format_instant(r.at, 0), out);
  return out;
}

// hex(SHA-256(prev_hash + "\n" + head + data + "]")) into out[0..63], hashed in pieces: a large
// record is not copied.
void hash_into(const AuditRecord& r, const std::string& head, char* out) {
  sha256_hex_into({r.prev_hash, "\n", head, r.data.empty() ? std::string_view("{}") : std::string_view(r.data), "]"},
                  out);
}
}  // namespace

std::string canonical_encoding(const AuditRecord& r) {
  // `data` is stored in canonical form already (nlohmann::json::dump(): keys sorted, compact)
  // and is embedded as stored: any edit to it, even of white space, changes the hash.
  std::string out = canonical_head(r);
  out += r.data.empty() ? "{}" : r.data;
  out += "]";
  return out;
}

std::string compute_hash(const AuditRecord& r) {
  char hex[64];
  hash_into(r, canonical_head(r), hex);
  return std::string(hex, sizeof hex);
}

void RecordDigest::add(std::int64_t seq, const std::string& hash) {
  char line[24 + 1 + 64 + 1];
  auto [end, ec] = std::to_chars(line, line + 24, seq);
  *end++ = ' ';
  const std::size_t n = std::min<std::size_t>(hash.size(), 64);
  std::memcpy(end, hash.data(), n);
  end += n;
  *end++ = '\n';
  sha_.update(line, static_cast<std::size_t>(end - line));
  ++count_;
}

std::string RecordDigest::hex() { return sha_.hex(); }

void ChainVerifier::check_content(const AuditRecord& r) {
  // The common case allocates nothing: the time formatted into a buffer, the encoding into a
  // reused string, the digest compared as hex in place. Messages are built only on a failure.
  char at_buf[20];
  std::string at_slow;
  std::string_view at;
  if (format_utc_into(r.at, at_buf)) {
    at = std::string_view(at_buf, sizeof at_buf);
  } else {
    at_slow = format_instant(r.at, 0);
    at = at_slow;
  }
  if (!r.at_text.empty() && r.at_text != at) {
    failure_ = "audit record " + std::to_string(r.seq) + ": its time \"" + r.at_text +
               "\" is not in the canonical UTC form (the record was altered)";
    return;
  }
  char hex[64];
  canonical_head_into(r, at, scratch_);
  hash_into(r, scratch_, hex);
  if (r.hash.size() != sizeof hex || r.hash.compare(0, sizeof hex, hex, sizeof hex) != 0)
    failure_ = "audit record " + std::to_string(r.seq) + " (dossier " + r.dossier + ", " + r.event +
               "): content does not match its hash (the record was altered)";
}

void ChainVerifier::feed_before_checkpoint(const AuditRecord& r) {
  auto where = [&] { return "audit record " + std::to_string(r.seq); };
  if (!retained_) retained_ = std::make_unique<RecordDigest>();
  if (r.seq > checkpoint_) {
    failure_ = "audit record " + std::to_string(checkpoint_) +
               ", the checkpoint of the newest archive, is missing (the next record is " + std::to_string(r.seq) + ")";
    return;
  }
  if (r.seq <= last_seq_) {
    failure_ = where() + ": comes after record " + std::to_string(last_seq_) + " (a record is out of order)";
    return;
  }
  // The link is checked where the record before is still here; across a gap it was archived,
  // and only `audit verify --archive` can check it.
  if (r.seq == last_seq_ + 1 && r.prev_hash != prev_hash_) {
    failure_ = where() + ": prev_hash does not match the previous record's hash";
    return;
  }
  check_content(r);
  if (failure_) return;
  if (r.seq == checkpoint_) {
    std::string why;
    nlohmann::json data = nlohmann::json::parse(r.data, nullptr, false);
    if (r.event != kArchiveEvent || !data.is_object()) {
      why = "is not an archive checkpoint (event " + r.event + ")";
    } else {
      const std::int64_t want = data.value("retained_records", std::int64_t{-1});
      const std::string digest = data.value("retained_digest", std::string());
      const std::int64_t have = retained_->count();
      const std::string got = retained_->hex();
      if (want != have || digest != got)
        why = "says " + std::to_string(want) + " record(s) were kept before it (digest " + digest + "), but " +
              std::to_string(have) + " are there (digest " + got +
              "): a record kept at the cut was removed, added or altered";
    }
    if (!why.empty()) {
      failure_ = where() + " (checkpoint of archive " + r.dossier.substr(std::min<std::size_t>(r.dossier.size(), 8)) +
                 ") " + why;
      return;
    }
    checkpoint_ = 0;  // from here on, every link
    expected_seq_ = r.seq + 1;
  } else {
    retained_->add(r.seq, r.hash);
  }
  last_seq_ = r.seq;
  prev_hash_ = r.hash;
  ++checked_;
}

bool ChainVerifier::feed(const AuditRecord& r) {
  if (failure_) return false;
  if (checkpoint_) {
    feed_before_checkpoint(r);
    return !failure_;
  }
  if (r.seq != expected_seq_) {
    failure_ = "audit record " + std::to_string(r.seq) + ": expected sequence " + std::to_string(expected_seq_) +
               " (a record is missing or out of order)";
  } else if (r.prev_hash != prev_hash_) {
    failure_ = "audit record " + std::to_string(r.seq) + ": prev_hash does not match the previous record's hash";
  } else {
    check_content(r);
  }
  if (failure_) return false;
  prev_hash_ = r.hash;
  ++expected_seq_;
  ++checked_;
  return true;
}

// --- the pipeline -----------------------------------------------------------------------------

struct PipelinedChainVerifier::Impl {
  static constexpr std::size_t kBatch = 2048;
  struct Batch {
    std::vector<AuditRecord> records = reserved();
    std::size_t n = 0;
  };
  // Slots whose strings hold a usual record without growing (about 1 KiB each): copying into
  // them then allocates only for the rare longer text.
  static std::vector<AuditRecord> reserved() {
    std::vector<AuditRecord> v(kBatch);
    for (AuditRecord& r : v) {
      r.data.reserve(512);
      r.prev_hash.reserve(64);
      r.hash.reserve(64);
      for (std::string* f : {&r.at_text, &r.actor, &r.role, &r.dossier, &r.event, &r.from_state, &r.to_state, &r.level})
        f->reserve(48);
    }
    return v;
  }
  ChainVerifier& verifier;
  Batch batches[2];
  int filling = 0;      // the batch feed() writes into
  int pending = -1;     // the batch handed to the worker and not yet done with (-1: none)
  bool closing = false; // no more batches
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::condition_variable cv;
  std::thread worker;

  explicit Impl(ChainVerifier& v) : verifier(v), worker([this] { run(); }) {}

  void run() {
    for (;;) {
      int take = -1;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return pending != -1 || closing; });
        if (pending == -1) return;
        take = pending;
      }
      Batch& b = batches[take];
      for (std::size_t i = 0; i < b.n && !failed.load(std::memory_order_relaxed); ++i)
        if (!verifier.feed(b.records[i])) failed.store(true, std::memory_order_relaxed);
      {
        std::lock_guard lock(mu);
        pending = -1;
      }
      cv.notify_all();
    }
  }

  // Hands the filling batch over (after the worker is done with the other one).
  void hand_over() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return pending == -1; });
    pending = filling;
    filling ^= 1;
    batches[filling].n = 0;
    lock.unlock();
    cv.notify_all();
  }

  void close() {
    if (!worker.joinable()) return;
    if (batches[filling].n) hand_over();
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return pending == -1; });
      closing = true;
    }
    cv.notify_all();
    worker.join();
  }
};

PipelinedChainVerifier::PipelinedChainVerifier(ChainVerifier& v) : impl_(std::make_unique<Impl>(v)) {}

PipelinedChainVerifier::~PipelinedChainVerifier() { impl_->close(); }

bool PipelinedChainVerifier::feed(const AuditRecord& r) {
  auto& I = *impl_;
  if (I.failed.load(std::memory_order_relaxed)) return false;
  Impl::Batch& b = I.batches[I.filling];
  b.records[b.n++] = r;  // member-wise: the strings keep their buffers
  if (b.n == Impl::kBatch) I.hand_over();
  return true;
}

void PipelinedChainVerifier::finish() { impl_->close(); }

}  // namespace ocop
