#include "apiserver/durable_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "kube/core/error.h"

namespace kube::apiserver {

namespace {

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr auto kCrcTable = make_crc_table();

constexpr char kSnapshotMagic[8] = {'K', 'U', 'B', 'E', 'S', 'N', 'P', '1'};
constexpr std::size_t kHeader = 8;  // u32 length + u32 crc

[[noreturn]] void die(const std::string& what) {
  // A write we cannot make durable must not be acknowledged: stop loudly instead.
  std::fprintf(stderr, "kube-apiserver-lite: fatal storage error: %s: %s\n", what.c_str(), std::strerror(errno));
  std::abort();
}

void put32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void put64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
std::uint32_t get32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
std::uint64_t get64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

void encode(const LogRecord& r, std::string& out) {
  std::string payload;
  payload.reserve(17 + r.key.size() + r.value.size());
  put64(payload, r.revision);
  payload.push_back(r.deleted ? 1 : 0);
  put32(payload, static_cast<std::uint32_t>(r.key.size()));
  payload.append(r.key);
  put32(payload, static_cast<std::uint32_t>(r.value.size()));
  payload.append(r.value);
  put32(out, static_cast<std::uint32_t>(payload.size()));
  put32(out, crc32c(payload.data(), payload.size()));
  out.append(payload);
}

// Decodes the record at data[pos]; returns false (leaving pos) if it is incomplete or corrupt.
bool decode(const std::string& data, std::size_t& pos, LogRecord& r) {
  if (data.size() - pos < kHeader) return false;
  std::uint32_t len = get32(data.data() + pos);
  std::uint32_t crc = get32(data.data() + pos + 4);
  if (len < 17 || data.size() - pos - kHeader < len) return false;
  const char* p = data.data() + pos + kHeader;
  if (crc32c(p, len) != crc) return false;
  r.revision = get64(p);
  r.deleted = p[8] != 0;
  std::uint32_t key_len = get32(p + 9);
  if (13u + key_len + 4u > len) return false;
  r.key.assign(p + 13, key_len);
  std::uint32_t value_len = get32(p + 13 + key_len);
  if (17u + key_len + value_len != len) return false;
  r.value.assign(p + 17 + key_len, value_len);
  pos += kHeader + len;
  return true;
}

std::string read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return {};
    die("open " + path);
  }
  std::string data;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("read " + path);
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return data;
}

void write_all(int fd, const std::string& data, const char* what) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die(what);
    done += static_cast<std::size_t>(n);
  }
}

void fsync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) die("open " + dir);
  if (::fsync(fd) != 0) die("fsync " + dir);
  ::close(fd);
}

}  // namespace

std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t crc) {
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  for (std::size_t i = 0; i < size; ++i) crc = kCrcTable[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

DurableLog::DurableLog(std::string directory, std::function<void(std::uint64_t)> on_durable)
    : directory_(std::move(directory)), on_durable_(std::move(on_durable)) {
  std::error_code ec;
  std::filesystem::create_directories(directory_, ec);
  if (ec) throw Error("cannot create data directory " + directory_ + ": " + ec.message());
}

DurableLog::~DurableLog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (log_fd_ >= 0) ::close(log_fd_);
}

void DurableLog::recover(const std::function<void(LogRecord&&, bool)>& on_record) {
  std::uint64_t& snapshot_revision = snapshot_revision_;
  std::string snapshot = read_file(directory_ + "/snapshot");
  if (!snapshot.empty()) {
    if (snapshot.size() < 16 || std::memcmp(snapshot.data(), kSnapshotMagic, 8) != 0) {
      throw Error("data directory " + directory_ + ": the snapshot file is not a kube-apiserver-lite snapshot");
    }
    snapshot_revision = get64(snapshot.data() + 8);
    std::size_t pos = 16;
    LogRecord r;
    while (pos < snapshot.size()) {
      if (!decode(snapshot, pos, r)) throw Error("data directory " + directory_ + ": the snapshot is corrupt");
      on_record(std::move(r), true);
    }
  }
  std::string log = read_file(directory_ + "/log");
  std::size_t pos = 0;
  LogRecord r;
  while (pos < log.size() && decode(log, pos, r)) {
    if (r.revision > snapshot_revision) on_record(std::move(r), false);
  }
  open_log_for_append();
  if (pos < log.size()) {
    // A torn tail: a write that was never acknowledged. Drop it.
    if (::ftruncate(log_fd_, static_cast<off_t>(pos)) != 0 || ::fdatasync(log_fd_) != 0) die("truncate log");
  }
  log_bytes_ = pos;
  thread_ = std::thread([this] { run(); });
}

void DurableLog::open_log_for_append() {
  std::string path = directory_ + "/log";
  log_fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd_ < 0) die("open " + path);
  fsync_directory(directory_);
}

void DurableLog::append(LogRecord record) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(record));
  }
  wake_.notify_all();
}

std::uint64_t DurableLog::log_bytes() const {
  std::lock_guard lock(mutex_);
  return log_bytes_;
}

void DurableLog::run() {
  std::vector<LogRecord> batch;
  std::string buffer;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || (!queue_.empty() && !snapshot_in_progress_); });
      if (queue_.empty() && stopping_) return;
      if (snapshot_in_progress_) continue;
      batch.swap(queue_);
      writing_ = true;
    }
    buffer.clear();
    std::uint64_t max_revision = 0;
    for (const auto& r : batch) {
      encode(r, buffer);
      max_revision = std::max(max_revision, r.revision);
    }
    write_all(log_fd_, buffer, "write log");
    if (::fdatasync(log_fd_) != 0) die("fdatasync log");
    batch.clear();
    {
      std::lock_guard lock(mutex_);
      log_bytes_ += buffer.size();
      writing_ = false;
    }
    wake_.notify_all();
    on_durable_(max_revision);
  }
}

void DurableLog::write_snapshot(const std::vector<LogRecord>& live, std::uint64_t revision) {
  {
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [this] { return queue_.empty() && !writing_; });
    snapshot_in_progress_ = true;
  }
  std::string data(kSnapshotMagic, 8);
  put64(data, revision);
  for (const auto& r : live) encode(r, data);
  std::string tmp = directory_ + "/snapshot.tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) die("open " + tmp);
  write_all(fd, data, "write snapshot");
  if (::fsync(fd) != 0) die("fsync snapshot");
  ::close(fd);
  if (::rename(tmp.c_str(), (directory_ + "/snapshot").c_str()) != 0) die("rename snapshot");
  fsync_directory(directory_);
  // Everything in the log is now in the snapshot.
  if (::ftruncate(log_fd_, 0) != 0 || ::fdatasync(log_fd_) != 0) die("truncate log");
  {
    std::lock_guard lock(mutex_);
    log_bytes_ = 0;
    snapshot_in_progress_ = false;
  }
  wake_.notify_all();
}

}  // namespace kube::apiserver
