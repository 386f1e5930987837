// kube::json::DecodePool: a few threads that decode the items of a large LIST while the rest of it
// still downloads, so the list costs about as long as its transfer and the I/O thread is not held
// for the whole decode. Only lists larger than ListDecoder's threshold use it.
//
// Tasks are grouped in a Batch; the thread that submits them helps: when too many bytes wait in the
// queue it runs the new task itself (bounding the memory of queued item text), and Batch::wait()
// runs whatever is still queued before waiting for the tasks in flight.
//
// Example:
//   DecodePool::configure_shared(0);          // at start-up: decode on the calling thread only
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace kube::json {

class DecodePool {
 public:
  /// Starts `threads` worker threads (at least one).
  explicit DecodePool(unsigned threads);
  /// Runs what is queued, then joins the threads.
  ~DecodePool();
  DecodePool(const DecodePool&) = delete;
  DecodePool& operator=(const DecodePool&) = delete;

  /// The process-wide pool, started on first use with hardware threads - 1 workers (1 to 4), or
  /// as configured; nullptr when configured to 0 (decode on the calling thread).
  static DecodePool* shared();
  /// Sets the shared pool's number of threads; takes effect only before its first use (returns
  /// false after).
  static bool configure_shared(unsigned threads);

  unsigned threads() const noexcept { return static_cast<unsigned>(workers_.size()); }

  /// Tasks submitted together and awaited together. Destroying a batch waits for its tasks.
  class Batch {
   public:
    /// `max_queued_cost`: above this total cost of queued tasks, submit() runs the task inline.
    Batch(DecodePool& pool, std::size_t max_queued_cost);
    ~Batch();
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

    /// Queues `task` (or runs it now, see above). `cost` is what it holds while queued (bytes).
    void submit(std::function<void()> task, std::size_t cost);
    /// Runs this batch's queued tasks here, waits for the rest, then rethrows the first exception a
    /// task threw (by submission order).
    void wait();

   private:
    friend class DecodePool;
    struct State;
    DecodePool& pool_;
    std::size_t max_queued_cost_;
    std::unique_ptr<State> state_;
    std::size_t next_sequence_ = 0;
  };

 private:
  struct Task {
    Batch::State* batch;
    std::function<void()> run;
    std::size_t cost;
    std::size_t sequence;
  };
  void work();
  /// Runs a task popped from the queue (lock not held) and accounts for its end.
  void run_task(Task& task);

  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable task_done_;
  std::deque<Task> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace kube::json
