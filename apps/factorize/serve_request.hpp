// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// The body of `POST /factorize`: {"numbers": [12, "18446744073709551615", ...], "algorithm": "rho"}.
// Parsed and validated in full before any number is factorized, with the CLI's messages.
#ifndef FACTORIZE_SERVE_REQUEST_HPP
#define FACTORIZE_SERVE_REQUEST_HPP

#include "factorize_core.hpp"
#include "workload.hpp"

#include <cstddef>
#include <string_view>
#include <vector>

namespace factorize {

/// More numbers in one request than the server takes (HTTP 413).
class too_many_numbers : public input_error {
public:
    using input_error::input_error;
};

struct factorize_request {
    std::vector<u64> numbers;
    algorithm algo = algorithm::rho;
};

/// Numbers may be JSON integers or strings of digits (a string keeps every digit past 2^53
/// for clients whose JSON numbers are doubles). "algorithm" is optional: "rho" (default) or
/// "trial". Throws input_error (HTTP 400) with a message that names the bad token, such as
/// `numbers[2]: "-5" is negative` (the message of the CLI's parse_number), and
/// too_many_numbers beyond `max_numbers`.
factorize_request parse_factorize_request(std::string_view body, std::size_t max_numbers);

/// {"error": message} and a newline: the body of every 4xx/5xx answer.
std::string error_json(std::string_view message);

} // namespace factorize

#endif
