// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "number_stream.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace factorize {

namespace {

constexpr std::size_t block = 64 * 1024;
// The longest token worth reading to its end: 2^64-1 has 20 digits, so anything much
// longer is reported (cut) instead of being buffered without bound.
constexpr std::size_t longest_token = 256;

bool is_space(char c) noexcept { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

} // namespace

// The descriptor has one owner: a moved-from stream must not close it (a pool's pipes
// would get its number, and the stream would read from one of them).
number_stream::number_stream(number_stream&& other) noexcept { *this = std::move(other); }

number_stream& number_stream::operator=(number_stream&& other) noexcept
{
    if (this == &other)
        return *this;
    if (own_fd_ && fd_ >= 0)
        ::close(fd_);
    args_ = std::move(other.args_);
    next_arg_ = other.next_arg_;
    random_ = other.random_;
    produced_ = other.produced_;
    rng_ = other.rng_;
    fd_ = std::exchange(other.fd_, -1);
    own_fd_ = std::exchange(other.own_fd_, false);
    fd_eof_ = other.fd_eof_;
    name_ = std::move(other.name_);
    buffer_ = std::move(other.buffer_);
    begin_ = other.begin_;
    end_ = other.end_;
    line_ = other.line_;
    in_comment_ = other.in_comment_;
    file_size_ = other.file_size_;
    read_total_ = other.read_total_;
    known_count_ = other.known_count_;
    return *this;
}

number_stream::~number_stream()
{
    if (own_fd_ && fd_ >= 0)
        ::close(fd_);
}

number_stream number_stream::from_arguments(std::vector<std::string> tokens)
{
    number_stream s;
    bool uses_stdin = false;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (tokens[i] != "-")
            continue;
        if (uses_stdin)
            throw input_error("argument " + std::to_string(i + 1) + ": \"-\" (stdin) is given more than once");
        uses_stdin = true;
    }
    if (!uses_stdin)
        s.known_count_ = tokens.size();
    s.args_ = std::move(tokens);
    return s;
}

number_stream number_stream::from_file(const std::string& path)
{
    number_stream s;
    if (path == "-") {
        s.open_fd(STDIN_FILENO, "stdin");
        return s;
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw input_error("cannot read \"" + path + "\": " + std::strerror(errno));
    s.open_fd(fd, path);
    s.own_fd_ = true;
    return s;
}

number_stream number_stream::from_random(const random_spec& spec)
{
    if (spec.min > spec.max)
        throw input_error("--min " + std::to_string(spec.min) + " is larger than --max " + std::to_string(spec.max));
    number_stream s;
    s.random_ = spec;
    s.rng_.emplace(spec.seed);
    s.known_count_ = spec.count;
    return s;
}

void number_stream::open_fd(int fd, std::string name)
{
    fd_ = fd;
    fd_eof_ = false;
    name_ = std::move(name);
    buffer_.resize(block + longest_token);
    begin_ = end_ = 0;
    line_ = 1;
    read_total_ = 0;
    struct stat st {};
    file_size_ = 0;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        off_t at = ::lseek(fd, 0, SEEK_CUR);  // stdin redirected from a file may start past 0
        if (at >= 0 && at < st.st_size)
            file_size_ = static_cast<std::size_t>(st.st_size - at);
    }
}

std::optional<double> number_stream::fraction_left() const noexcept
{
    if (random_)
        return random_->count ? static_cast<double>(random_->count - produced_) / static_cast<double>(random_->count) : 0.0;
    if (fd_ >= 0) {
        // A pipe, arguments after "-", or a file that grew since it was opened (its size
        // says nothing any more).
        if (file_size_ == 0 || next_arg_ < args_.size() || read_total_ > file_size_)
            return std::nullopt;
        std::size_t unparsed = file_size_ - read_total_ + (end_ - begin_);
        return std::min(1.0, static_cast<double>(unparsed) / static_cast<double>(file_size_));
    }
    if (!known_count_ || args_.empty())
        return std::nullopt;
    return static_cast<double>(args_.size() - next_arg_) / static_cast<double>(args_.size());
}

number_stream::status number_stream::next(u64& n)
{
    if (random_) {
        if (produced_ == random_->count)
            return status::end;
        ++produced_;
        u64 x = rng_->next();
        u64 span = random_->max - random_->min + 1;  // 0 when the range is all 2^64 values
        n = span ? random_->min + x % span : x;
        return status::number;
    }
    for (;;) {
        if (fd_ >= 0) {
            if (parse_buffered(n))
                return status::number;
            if (!fd_eof_)
                return status::would_block;
            if (own_fd_)
                ::close(fd_);
            fd_ = -1;  // stdin is done: carry on with the arguments after "-"
            continue;
        }
        if (next_arg_ == args_.size())
            return status::end;
        std::size_t i = next_arg_++;
        if (args_[i] == "-") {
            open_fd(STDIN_FILENO, "stdin");
            continue;
        }
        n = parse_number(args_[i], "argument " + std::to_string(i + 1));
        return status::number;
    }
}

bool number_stream::parse_buffered(u64& n)
{
    const char* data = buffer_.data();
    for (;;) {
        // Skip blanks and comments; a token starts at the first other character.
        while (begin_ < end_) {
            char c = data[begin_];
            if (c == '\n') {
                ++line_;
                in_comment_ = false;
            } else if (!in_comment_ && c == '#') {
                in_comment_ = true;
            } else if (!in_comment_ && !is_space(c)) {
                break;
            }
            ++begin_;
        }
        if (begin_ == end_) {
            begin_ = end_ = 0;
            return false;
        }
        std::size_t stop = begin_;
        while (stop < end_ && !is_space(data[stop]) && data[stop] != '#' && stop - begin_ <= longest_token)
            ++stop;
        bool complete = stop < end_ || fd_eof_ || stop - begin_ > longest_token;
        if (!complete) {
            // A token cut by the end of the block: keep it for the next read.
            std::memmove(buffer_.data(), data + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
            return false;
        }
        std::string_view token(data + begin_, stop - begin_);
        begin_ = stop;
        if (token.size() > longest_token)
            throw input_error(name_ + " line " + std::to_string(line_) + ": \"" + std::string(token.substr(0, 60)) +
                              "...\" is not a number (longer than " + std::to_string(longest_token) + " characters)");
        if (auto value = parse_decimal(token))
            n = *value;
        else
            n = parse_number(token, name_ + " line " + std::to_string(line_));  // throws, naming the line
        return true;
    }
}

void number_stream::wait()
{
    if (fd_ < 0 || fd_eof_)
        return;
    for (;;) {
        ssize_t got = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
        if (got > 0) {
            end_ += static_cast<std::size_t>(got);
            read_total_ += static_cast<std::size_t>(got);
            return;
        }
        if (got == 0) {
            fd_eof_ = true;
            return;
        }
        if (errno != EINTR)
            throw input_error("cannot read " + (name_ == "stdin" ? name_ : "\"" + name_ + "\"") + ": " + std::strerror(errno));
    }
}

bool number_stream::ready_now() const
{
    if (fd_ < 0 || fd_eof_)
        return true;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
}

} // namespace factorize
