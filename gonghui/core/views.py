from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("gonghui")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponse("未找到", status=404)


def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponse("无权访问", status=403)
