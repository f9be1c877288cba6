# Placeholder: being written (registry pages).
from django.http import HttpRequest, HttpResponse


def enterprise_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("")


def project_list(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("")
