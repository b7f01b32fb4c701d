// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include <asyncjobs/executor.hpp>

namespace asyncjobs::detail {

scheduler_ptr scheduler_of(executor& ex) { return ex.engine_; }

} // namespace asyncjobs::detail
