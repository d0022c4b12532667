"""gunicorn settings, read from the working directory (/app in the image).

The access log never holds a query string or a referer: searches and filters can carry
client names and A-numbers, and a same-origin referer repeats the previous page's query.
%(U)s is the path alone; the request time is in milliseconds.
"""

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
