const endpointSecret = "whsec_BxQstypeNFeOUxsiIe2k0nLfeoQMjPmM";
