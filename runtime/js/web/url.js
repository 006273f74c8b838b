// url
