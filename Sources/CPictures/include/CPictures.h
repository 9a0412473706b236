#ifndef GOMART_CPICTURES_H
#define GOMART_CPICTURES_H

#include <stddef.h>
#include <stdint.h>

/// A picture in memory: 8-bit RGBA, rows top to bottom, `width * 4` bytes each.
typedef struct {
    uint8_t *pixels;
    int32_t width;
    int32_t height;
} gm_picture;

/// The kinds the shop can read and write.
typedef enum { GM_PICTURE_PNG = 1, GM_PICTURE_JPEG = 2 } gm_picture_kind;

/// 1 when libjpeg and libpng could be opened (the other calls fail without them), else 0.
int gm_pictures_available(void);

/// Reads a PNG's or JPEG's width and height from its header, without decoding it.
/// Returns 0, or -1 when the bytes are not a picture of `kind` this library reads.
int gm_picture_size(gm_picture_kind kind, const uint8_t *bytes, size_t length, int32_t *width, int32_t *height);

/// Decodes a PNG or JPEG to RGBA. A JPEG is decoded at the smallest of 1/8, 1/4, 1/2 and full
/// size that is still at least `least_width` wide (its DCT scales for free). Refuses pictures of
/// more than `max_pixels` pixels before decoding them. Returns 0, or -1 with a message in `error`.
int gm_picture_decode(gm_picture_kind kind, const uint8_t *bytes, size_t length, int32_t least_width, int64_t max_pixels,
                      gm_picture *out, char *error, size_t error_size);

/// Shrinks `source` to `width` pixels wide (the height in proportion, at least 1) by averaging
/// the area each new pixel covers, with colours weighted by their opacity. Returns 0, or -1 when
/// memory ran out or `width` is not smaller.
int gm_picture_shrink(const gm_picture *source, int32_t width, gm_picture *out);

/// Encodes as a baseline JPEG of `quality` (1-100, on white where transparent), or a PNG
/// (RGBA, or RGB when every pixel is opaque). The bytes are the caller's to free with `gm_free`.
/// Returns 0, or -1 with a message in `error`.
int gm_picture_encode(gm_picture_kind kind, const gm_picture *picture, int quality, uint8_t **bytes, size_t *length,
                      char *error, size_t error_size);

/// Frees what this library allocated (pixels or encoded bytes).
void gm_free(void *pointer);

#endif
