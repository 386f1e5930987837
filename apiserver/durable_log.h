// The API server's durable storage: an append-only log of object writes plus a periodic snapshot,
// in a data directory.
//
// Durability argument (what "acknowledged" means): a write is acknowledged to its client only
// after the log thread has written its record and fdatasync() returned. Records carry a length and
// a CRC-32C, so a record torn by a crash (only possible for writes not yet acknowledged) is detected
// on recovery and the log is truncated there. Snapshots are written to a temporary file, fsynced,
// renamed over the old one and the directory fsynced, then the log is started afresh; recovery
// reads the snapshot, then the log records newer than it.
//
// Writes are group-committed: every record queued while the previous fdatasync ran goes to disk in
// the next single write + fdatasync, so throughput grows with concurrency and latency stays near
// one fdatasync.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kube::apiserver {

struct LogRecord {
  std::uint64_t revision = 0;
  bool deleted = false;
  std::string key;
  std::string value;  // the object's JSON (empty when deleted)
};

class DurableLog {
 public:
  /// Opens (creating if needed) the log in `directory`. `on_durable(revision)` is called on the
  /// log thread after every fdatasync, with the highest revision now on disk.
  DurableLog(std::string directory, std::function<void(std::uint64_t)> on_durable);
  /// Flushes what is queued and stops the log thread.
  ~DurableLog();
  DurableLog(const DurableLog&) = delete;
  DurableLog& operator=(const DurableLog&) = delete;

  /// Calls `on_record(record, from_snapshot)` for every record of the snapshot then the log, in
  /// revision order, and truncates a torn tail. Call once, before append().
  void recover(const std::function<void(LogRecord&&, bool from_snapshot)>& on_record);

  /// The revision of the snapshot recover() read (0 if none): revisions continue above it even
  /// when the snapshot holds no objects.
  std::uint64_t snapshot_revision() const noexcept { return snapshot_revision_; }

  /// Queues a record; it is durable once on_durable reports its revision.
  void append(LogRecord record);

  /// Bytes in the log since the last snapshot (to decide when to compact).
  std::uint64_t log_bytes() const;
  /// Replaces snapshot + log by a snapshot of `live` (every current object) at `revision`.
  /// Blocks until done; appends queued meanwhile go to the fresh log.
  void write_snapshot(const std::vector<LogRecord>& live, std::uint64_t revision);

 private:
  void run();
  void open_log_for_append();

  std::string directory_;
  std::function<void(std::uint64_t)> on_durable_;
  int log_fd_ = -1;
  std::uint64_t snapshot_revision_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<LogRecord> queue_;
  bool stopping_ = false;
  bool snapshot_in_progress_ = false;
  bool writing_ = false;  // the log thread is between taking a batch and its fdatasync
  std::uint64_t log_bytes_ = 0;
  std::thread thread_;
};

/// CRC-32C (Castagnoli) of `data` (exposed for tests).
std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t crc = 0);

}  // namespace kube::apiserver
