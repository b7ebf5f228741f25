/* The floor Stampede is measured against: the smallest libcurl multi-handle loop that keeps
 * N keep-alive transfers of one URL going for D seconds (perform, read completions, re-add,
 * poll), with no metrics at all. Prints the number of completed requests.
 * Build: cc -O2 bench/curl_loop.c -lcurl -o curl_loop; run: curl_loop URL N SECONDS */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static size_t discard(char *data, size_t size, size_t count, void *user) {
    (void)data; (void)user;
    return size * count;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: curl_loop URL N SECONDS\n"); return 2; }
    int n = atoi(argv[2]);
    double end = now() + atof(argv[3]);
    curl_global_init(CURL_GLOBAL_ALL);
    CURLM *multi = curl_multi_init();
    for (int i = 0; i < n; i++) {
        CURL *easy = curl_easy_init();
        curl_easy_setopt(easy, CURLOPT_URL, argv[1]);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_multi_add_handle(multi, easy);
    }
    long done = 0;
    int running = 0;
    while (now() < end) {
        curl_multi_perform(multi, &running);
        CURLMsg *msg;
        int queued;
        while ((msg = curl_multi_info_read(multi, &queued))) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL *easy = msg->easy_handle;
            if (msg->data.result == CURLE_OK) done++;
            curl_multi_remove_handle(multi, easy);
            curl_multi_add_handle(multi, easy);
        }
        curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    printf("%ld\n", done);
    return 0;
}
