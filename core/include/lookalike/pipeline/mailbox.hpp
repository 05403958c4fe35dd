// LatestMailbox<T>: a one-slot mailbox that keeps only the newest item (latest-frame
// policy). The producer overwrites the slot (put_overwrite: cameras, real-time files) or
// waits for it to empty (put_wait: as-fast-as-possible files, nothing dropped); a consumer takes
// the item and leaves the slot empty. Overwritten (never taken) items are counted: they are the
// pipeline's dropped frames.
//
// Contract: thread-safe for any number of producers and consumers. take_wait() blocks on a
// condition variable (no polling) until an item is there, the mailbox is closed, or the stop
// token is triggered. close() wakes every waiter; after close(), put_overwrite() discards its
// item (returns false) and take_wait() still hands out a pending item first only if
// `drain_on_close` was requested, else returns nullopt at once. Capacity is exactly one item:
// memory never grows.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stop_token>
#include <utility>

namespace lookalike {

template <typename T>
class LatestMailbox {
 public:
  enum class Put { stored, overwrote, closed };

  // Stores `item`, replacing (and counting) an item nobody took yet.
  Put put_overwrite(T item) {
    Put result = Put::stored;
    {
      std::lock_guard lock(mutex_);
      if (closed_) return Put::closed;
      if (slot_) {
        ++overwritten_;
        result = Put::overwrote;
      }
      slot_ = std::move(item);
      ++put_count_;
    }
    ready_.notify_one();
    return result;
  }

  // Waits until the slot is empty, then stores `item` (back-pressure: nothing is dropped).
  // Returns closed when the mailbox is closed or stop is requested while waiting.
  Put put_wait(T item, std::stop_token stop) {
    {
      std::unique_lock lock(mutex_);
      space_.wait(lock, stop, [&] { return !slot_.has_value() || closed_; });
      if (closed_ || stop.stop_requested()) return Put::closed;
      slot_ = std::move(item);
      ++put_count_;
    }
    ready_.notify_one();
    return Put::stored;
  }

  // Takes the item if there is one, without waiting.
  std::optional<T> try_take() {
    std::lock_guard lock(mutex_);
    return take_locked();
  }

  // Waits for an item. Returns nullopt when stop is requested, or when the mailbox is closed
  // (after handing out a pending item if drain_on_close).
  std::optional<T> take_wait(std::stop_token stop, bool drain_on_close = false) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, stop, [&] { return slot_.has_value() || closed_; });
    if (stop.stop_requested()) return std::nullopt;
    if (closed_ && !drain_on_close) return std::nullopt;
    return take_locked();
  }

  // Wakes every waiter; later puts are discarded. Idempotent.
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
    space_.notify_all();
  }

  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  bool empty() const {
    std::lock_guard lock(mutex_);
    return !slot_.has_value();
  }
  std::uint64_t overwritten() const {
    std::lock_guard lock(mutex_);
    return overwritten_;
  }
  std::uint64_t put_count() const {
    std::lock_guard lock(mutex_);
    return put_count_;
  }

 private:
  std::optional<T> take_locked() {
    std::optional<T> out = std::move(slot_);
    slot_.reset();
    if (out) space_.notify_one();  // notified under the lock: waiters recheck the slot
    return out;
  }

  mutable std::mutex mutex_;
  std::condition_variable_any ready_;  // an item arrived or closed
  std::condition_variable_any space_;  // the slot emptied or closed
  std::optional<T> slot_;
  bool closed_ = false;
  std::uint64_t overwritten_ = 0;
  std::uint64_t put_count_ = 0;
};

}  // namespace lookalike
