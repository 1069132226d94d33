"""clinicscan: audit the advertising of stem-cell and regenerative-medicine clinics."""

__version__ = "0.1.0"

USER_AGENT = (
    f"clinicscan/{__version__} (+https://github.com/clinicscan/clinicscan; advertising audit)"
)
