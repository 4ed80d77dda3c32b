// The native ceiling and the bandwidth bound for `npm run bench`, built with the machine's gcc
// (-O3 -march=native -fno-math-errno -fopenmp: without -fno-math-errno sqrtf is not vectorised).
//   native <kind> <param count> <elements each> <reps>   → prints the median seconds per step
// kind: stream-R-W (read R arrays, write W of them in place: the bytes an optimizer moves),
// adam, adamw, sgd (momentum 0.9), rmsprop, adagrad (fused float32 loops, torch's formulas).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

typedef struct { float *a[4]; } Param;

static void stream(Param *p, long n, int r, int w) {
  float *restrict x0 = p->a[0], *restrict x1 = p->a[1], *restrict x2 = p->a[2], *restrict x3 = p->a[3];
  // OMP_NUM_THREADS=2 gives the 2-thread bound (built with -fopenmp; one thread otherwise)
  if (r == 4) {
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) { float s = x0[i] + x1[i] + x2[i] + x3[i]; x0[i] = s; x2[i] = s; x3[i] = s; }
  } else if (r == 3 && w == 2) {
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) { float s = x0[i] + x1[i] + x2[i]; x0[i] = s; x2[i] = s; }
  } else {
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) { float s = x0[i] + x1[i]; x0[i] = s; }
  }
}

static void adam(Param *q, long n, float decay, float wd, int t) {
  float *restrict p = q->a[0], *restrict g = q->a[1], *restrict m = q->a[2], *restrict v = q->a[3];
  const float b1 = 0.9f, b2 = 0.999f, lr = 1e-3f, eps = 1e-8f;
  const float step = lr / (1 - powf(b1, t)), bc2 = sqrtf(1 - powf(b2, t));
  for (long i = 0; i < n; i++) {
    float th = p[i] * decay;
    float gi = g[i] + wd * th;
    float mi = m[i] + (1 - b1) * (gi - m[i]);
    float vi = b2 * v[i] + (1 - b2) * gi * gi;
    m[i] = mi; v[i] = vi;
    p[i] = th - step * (mi / (sqrtf(vi) / bc2 + eps));
  }
}

static void sgd(Param *q, long n) {
  float *restrict p = q->a[0], *restrict g = q->a[1], *restrict b = q->a[2];
  for (long i = 0; i < n; i++) {
    float bi = 0.9f * b[i] + g[i];
    b[i] = bi;
    p[i] -= 0.01f * bi;
  }
}

static void rmsprop(Param *q, long n) {
  float *restrict p = q->a[0], *restrict g = q->a[1], *restrict s = q->a[2];
  for (long i = 0; i < n; i++) {
    float si = 0.99f * s[i] + 0.01f * g[i] * g[i];
    s[i] = si;
    p[i] -= 0.01f * (g[i] / (sqrtf(si) + 1e-8f));
  }
}

static void adagrad(Param *q, long n) {
  float *restrict p = q->a[0], *restrict g = q->a[1], *restrict s = q->a[2];
  for (long i = 0; i < n; i++) {
    float si = s[i] + g[i] * g[i];
    s[i] = si;
    p[i] -= 0.01f * (g[i] / (sqrtf(si) + 1e-10f));
  }
}

int main(int argc, char **argv) {
  if (argc != 5) { fprintf(stderr, "usage: native kind params elements reps\n"); return 2; }
  const char *kind = argv[1];
  long count = atol(argv[2]), n = atol(argv[3]);
  int reps = atoi(argv[4]);
  Param *ps = calloc(count, sizeof(Param));
  for (long k = 0; k < count; k++)
    for (int j = 0; j < 4; j++) {
      ps[k].a[j] = aligned_alloc(64, ((n * 4 + 63) / 64) * 64);
      for (long i = 0; i < n; i++) ps[k].a[j][i] = j == 3 ? 0.5f : 0.001f * (float)((i + j) % 97);
    }
  int r = 0, w = 0;
  if (sscanf(kind, "stream-%d-%d", &r, &w) != 2) r = 0;
  double *times = calloc(reps + 2, sizeof(double));
  for (int t = 0; t < reps + 2; t++) {  // two warm-up steps
    double t0 = now();
    for (long k = 0; k < count; k++) {
      if (r) stream(&ps[k], n, r, w);
      else if (!strcmp(kind, "adam")) adam(&ps[k], n, 1.0f, 0.0f, t + 1);
      else if (!strcmp(kind, "adamw")) adam(&ps[k], n, 1 - 1e-3f * 1e-2f, 0.0f, t + 1);
      else if (!strcmp(kind, "sgd")) sgd(&ps[k], n);
      else if (!strcmp(kind, "rmsprop")) rmsprop(&ps[k], n);
      else if (!strcmp(kind, "adagrad")) adagrad(&ps[k], n);
      else { fprintf(stderr, "unknown kind %s\n", kind); return 2; }
    }
    times[t] = now() - t0;
  }
  qsort(times + 2, reps, sizeof(double), cmp);
  printf("%.9f\n", times[2 + reps / 2]);
  return 0;
}
