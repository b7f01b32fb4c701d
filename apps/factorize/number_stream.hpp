// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// The numbers of a run, read as they come: command-line tokens, a file or stdin (read in
// 64 KiB blocks with read(2), whitespace-separated numbers, several a line, '#' comments),
// or the --random generator. Nothing is read ahead beyond one block, so memory stays small
// on any input length, and the caller learns when the next number would have to wait for
// input, to print what it has first.
#ifndef FACTORIZE_NUMBER_STREAM_HPP
#define FACTORIZE_NUMBER_STREAM_HPP

#include "workload.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace factorize {

class number_stream {
public:
    enum class status { number, end, would_block };

    /// The tokens of the command line; "-" among them stands for stdin, read there.
    static number_stream from_arguments(std::vector<std::string> tokens);
    /// A file, or stdin for "-". Throws input_error if it cannot be opened.
    static number_stream from_file(const std::string& path);
    static number_stream from_random(const random_spec& spec);

    number_stream(number_stream&&) noexcept;
    number_stream& operator=(number_stream&&) noexcept;
    ~number_stream();

    /// The next number, without blocking: `would_block` means the input has no complete
    /// token buffered and wait() must read more. Throws input_error naming the token and
    /// its line (or argument) for a bad token; the numbers before it were all returned.
    status next(u64& n);
    /// Blocks until more input is buffered (or its end is seen).
    void wait();
    /// True when wait() would return at once (data or end of input is there).
    bool ready_now() const;

    /// How many numbers there will be, when that is known in advance (arguments without
    /// "-", --random), for the progress bar.
    std::optional<std::size_t> known_count() const noexcept { return known_count_; }

    /// The share of the input not returned yet, from 1 down to 0, where it can be known
    /// without reading ahead: a regular file (its size against the bytes parsed), --random,
    /// the arguments without "-". nullopt for a pipe or a terminal. An estimate (a file may
    /// grow): the caller sizes its last blocks by it, so that no worker idles at the end.
    std::optional<double> fraction_left() const noexcept;

private:
    number_stream() = default;
    bool parse_buffered(u64& n);
    void open_fd(int fd, std::string name);

    // Arguments (each a token; "-" switches to the fd until its end).
    std::vector<std::string> args_;
    std::size_t next_arg_ = 0;
    // --random
    std::optional<random_spec> random_;
    std::size_t produced_ = 0;
    std::optional<splitmix64> rng_;
    // A file or stdin.
    int fd_ = -1;
    bool own_fd_ = false;
    bool fd_eof_ = false;
    std::string name_;
    std::vector<char> buffer_;
    std::size_t begin_ = 0, end_ = 0;
    std::size_t line_ = 1;
    bool in_comment_ = false;
    std::size_t file_size_ = 0;  // a regular file's size at open; 0: not one (or empty)
    std::size_t read_total_ = 0;  // bytes read from the fd so far
    std::optional<std::size_t> known_count_;
};

} // namespace factorize

#endif
