// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#ifndef ASYNCJOBS_DETAIL_PULL_RANGE_HPP
#define ASYNCJOBS_DETAIL_PULL_RANGE_HPP

// The input-range face shared by map_result and map_unordered_result: an iterator that pulls
// each element from its owner, begin() that blocks for the first one, to_vector().

#include <cstddef>
#include <iterator>
#include <vector>

namespace asyncjobs::detail {

/// CRTP base. `Owner` provides, reachable by this class (befriend it):
///   `Value current()`        the element at the reading position, moved out;
///   `void advance()`         moves to the next element, blocking until it is there;
///   `bool at_end() const`    no element is left.
template <class Owner, class Value>
class pull_range {
public:
    class iterator {
    public:
        using value_type = Value;
        using difference_type = std::ptrdiff_t;
        using iterator_concept = std::input_iterator_tag;

        iterator() noexcept = default;

        /// The current element, moved out: read each element once.
        value_type operator*() const { return owner_->current(); }
        iterator& operator++()
        {
            owner_->advance();
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept { return it.finished(); }

    private:
        bool finished() const noexcept { return !owner_ || owner_->at_end(); }
        friend class pull_range;
        explicit iterator(Owner* owner) noexcept : owner_(owner) {}
        Owner* owner_ = nullptr;
    };

    /// Starts reading; blocks until the first element is there.
    iterator begin()
    {
        auto& self = static_cast<Owner&>(*this);
        if (!started_) {
            started_ = true;
            self.advance();
        }
        return iterator(&self);
    }
    std::default_sentinel_t end() const noexcept { return {}; }

    /// Reads every remaining element into a vector; rethrows an exception that reading one throws.
    std::vector<Value> to_vector()
    {
        std::vector<Value> out;
        for (auto it = begin(); it != end(); ++it)
            out.push_back(*it);
        return out;
    }

protected:
    pull_range() = default;
    pull_range(pull_range&&) noexcept = default;
    pull_range& operator=(pull_range&&) noexcept = default;
    ~pull_range() = default;

private:
    bool started_ = false;
};

} // namespace asyncjobs::detail

#endif
