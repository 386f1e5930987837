#include "kube/core/decode_pool.h"

#include <algorithm>
#include <utility>

namespace kube::json {

struct DecodePool::Batch::State {
  std::size_t pending = 0;       // queued or running
  std::size_t queued_cost = 0;
  std::exception_ptr error;      // of the earliest submitted task that failed
  std::size_t error_sequence = 0;

  void record(std::exception_ptr e, std::size_t sequence) {
    if (!error || sequence < error_sequence) {
      error = std::move(e);
      error_sequence = sequence;
    }
  }
};

namespace {

unsigned default_threads() {
  unsigned hardware = std::thread::hardware_concurrency();
  return std::clamp(hardware > 1 ? hardware - 1 : 1U, 1U, 4U);
}

struct SharedPool {
  std::mutex mutex;
  bool started = false;
  int configured_threads = -1;  // -1: default_threads()
  DecodePool* pool = nullptr;   // never destroyed: statics may still decode at exit
};

SharedPool& shared_pool() {
  static SharedPool shared;
  return shared;
}

}  // namespace

DecodePool::DecodePool(unsigned threads) {
  threads = std::max(threads, 1U);
  workers_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
}

DecodePool::~DecodePool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (auto& worker : workers_) worker.join();
}

DecodePool* DecodePool::shared() {
  SharedPool& shared = shared_pool();
  std::lock_guard lock(shared.mutex);
  if (!shared.started) {
    shared.started = true;
    unsigned threads = shared.configured_threads < 0 ? default_threads() : static_cast<unsigned>(shared.configured_threads);
    if (threads > 0) shared.pool = new DecodePool(threads);
  }
  return shared.pool;
}

bool DecodePool::configure_shared(unsigned threads) {
  SharedPool& shared = shared_pool();
  std::lock_guard lock(shared.mutex);
  if (shared.started) return false;
  shared.configured_threads = static_cast<int>(threads);
  return true;
}

void DecodePool::work() {
  std::unique_lock lock(mutex_);
  while (true) {
    work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    Task task = std::move(queue_.front());
    queue_.pop_front();
    task.batch->queued_cost -= task.cost;
    lock.unlock();
    run_task(task);
    lock.lock();
  }
}

void DecodePool::run_task(Task& task) {
  std::exception_ptr error;
  try {
    task.run();
  } catch (...) {
    error = std::current_exception();
  }
  task.run = nullptr;  // release what the task captured before reporting it done
  {
    std::lock_guard lock(mutex_);
    if (error) task.batch->record(std::move(error), task.sequence);
    --task.batch->pending;
  }
  task_done_.notify_all();
}

DecodePool::Batch::Batch(DecodePool& pool, std::size_t max_queued_cost)
    : pool_(pool), max_queued_cost_(max_queued_cost), state_(std::make_unique<State>()) {}

DecodePool::Batch::~Batch() {
  try {
    wait();
  } catch (...) {
    // The owner is unwinding or did not ask for the result: the tasks are finished, that is all.
  }
}

void DecodePool::Batch::submit(std::function<void()> task, std::size_t cost) {
  std::size_t sequence = next_sequence_++;
  {
    std::lock_guard lock(pool_.mutex_);
    if (state_->queued_cost + cost <= max_queued_cost_ || state_->pending == 0) {
      ++state_->pending;
      state_->queued_cost += cost;
      pool_.queue_.push_back(Task{state_.get(), std::move(task), cost, sequence});
      pool_.work_ready_.notify_one();
      return;
    }
  }
  // The workers are behind: this thread decodes too rather than queue more text.
  try {
    task();
  } catch (...) {
    std::lock_guard lock(pool_.mutex_);
    state_->record(std::current_exception(), sequence);
  }
}

void DecodePool::Batch::wait() {
  std::unique_lock lock(pool_.mutex_);
  while (true) {
    auto mine = std::find_if(pool_.queue_.begin(), pool_.queue_.end(),
                             [this](const Task& t) { return t.batch == state_.get(); });
    if (mine != pool_.queue_.end()) {
      Task task = std::move(*mine);
      pool_.queue_.erase(mine);
      state_->queued_cost -= task.cost;
      lock.unlock();
      pool_.run_task(task);
      lock.lock();
      continue;
    }
    if (state_->pending == 0) break;
    pool_.task_done_.wait(lock);
  }
  if (state_->error) {
    std::exception_ptr error = std::exchange(state_->error, nullptr);
    std::rethrow_exception(error);
  }
}

}  // namespace kube::json
