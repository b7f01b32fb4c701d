// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include <asyncjobs/detail/scheduler.hpp>
#include <asyncjobs/detail/state.hpp>

namespace asyncjobs::detail {

std::exception_ptr state_base::cancelled_exception()
{
    return std::make_exception_ptr(cancelled_error());
}

void state_base::throw_if_forked() const
{
    if (scheduler_ && scheduler_->forked())
        throw forked_executor();
}

void state_base::on_claimed() noexcept
{
    if (tracked_)
        scheduler_->untrack(*this);
}

cancel_ruling state_base::arbitrate_cancel() noexcept
{
    return scheduler_ ? scheduler_->arbitrate_cancel(*this) : cancel_ruling::retry;
}

void state_base::settle_gate() const noexcept
{
    if (scheduler_)
        scheduler_->settle_gate(const_cast<state_base&>(*this));  // the state is shared and mutable by design
}

} // namespace asyncjobs::detail
