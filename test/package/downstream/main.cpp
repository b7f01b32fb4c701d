#include <greeter.hpp>

#include <cstdio>

int main()
{
    long got = sum_of_squares(10);
    std::printf("downstream: sum of squares 1..10 = %ld (want 385)\n", got);
    return got == 385 ? 0 : 1;
}
