"""Media fingerprints for the digital-asset registry: perceptual video hashes, Chromaprint audio, the index.

Pure Python + numpy + Pillow; ffmpeg, ffprobe and fpcalc (Debian packages ffmpeg, libchromaprint-tools)
run as programs. No Django here: callers translate MediaError.message with gettext.
"""

from shouzhan.assets.fingerprints.audio import AudioPrint, audio_fingerprint, audio_match
from shouzhan.assets.fingerprints.index import MATCH_THRESHOLD, Match, VideoIndex, brute_force_match
from shouzhan.assets.fingerprints.media import MediaError, MediaInfo, frame_jpeg, media_probe
from shouzhan.assets.fingerprints.phash import dct_hash, dct_hashes, hamming, image_hashes, popcount64
from shouzhan.assets.fingerprints.video import VideoPrint, hashes_from_bytes, segments, video_fingerprint

__all__ = [
    "MATCH_THRESHOLD",
    "AudioPrint",
    "Match",
    "MediaError",
    "MediaInfo",
    "VideoIndex",
    "VideoPrint",
    "audio_fingerprint",
    "audio_match",
    "brute_force_match",
    "dct_hash",
    "dct_hashes",
    "frame_jpeg",
    "hamming",
    "hashes_from_bytes",
    "image_hashes",
    "media_probe",
    "popcount64",
    "segments",
    "video_fingerprint",
]
