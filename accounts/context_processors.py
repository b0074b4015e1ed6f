def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "is_officer": user.is_officer,
        "is_senior": user.is_senior,
        "is_issuer_user": user.is_issuer_user,
        "sees_all_issuers": user.sees_all_issuers,
    }
